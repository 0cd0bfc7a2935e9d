// A plain store whose set() calls back twice: the report must name it.
const session = require('express-session');

class DoubleCallbackStore extends session.MemoryStore {
  set(sid, sess, callback) {
    if (callback) callback();
    super.set(sid, sess, callback);
  }
}

module.exports = () => new DoubleCallbackStore();

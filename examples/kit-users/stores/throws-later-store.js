// A plain store whose destroy() throws later, outside any call: a case fails, the run goes on.
const session = require('express-session');

class ThrowsLaterStore extends session.MemoryStore {
  destroy(sid, callback) {
    if (sid !== 'probe') {
      setImmediate(() => {
        throw new Error('destroy blew up later');
      });
    }
    super.destroy(sid, callback);
  }
}

module.exports = () => new ThrowsLaterStore();

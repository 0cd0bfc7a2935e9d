// A --config file: leaves touch out of the run (the store has it).
module.exports = { capabilities: { methods: { touch: false } } };

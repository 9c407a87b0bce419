const test = require('node:test');
const assert = require('node:assert');
const { shout } = require('./shout.js');

// Write your first test below. It should fail (red) until shout.js
// does its job.

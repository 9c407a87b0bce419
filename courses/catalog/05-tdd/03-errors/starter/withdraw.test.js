const test = require('node:test');
const assert = require('node:assert');
const { withdraw } = require('./withdraw.js');

// Write your tests below.

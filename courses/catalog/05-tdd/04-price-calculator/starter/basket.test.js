const test = require('node:test');
const assert = require('node:assert');
const { basketTotal } = require('./basket.js');

// One test for each rule of the specification, then the code.

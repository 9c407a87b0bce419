const test = require('node:test');
const assert = require('node:assert');
const { receipt } = require('./receipt.js');

// Step 1: tests that pin down what receipt() does now.

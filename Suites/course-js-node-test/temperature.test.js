// The instructor's node:test tests for lab 4.
const test = require('node:test');
const assert = require('node:assert');
const { toFahrenheit } = require('./temperature.js');

test('converts freezing', () => assert.strictEqual(toFahrenheit(0), 32));
test('converts boiling', () => assert.strictEqual(toFahrenheit(100), 212));
test('rounds to one decimal', () => assert.strictEqual(toFahrenheit(36.6), 97.9));

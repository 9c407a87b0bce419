const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');

function load() {
  let mod;
  try {
    mod = require('./passwords.js');
  } catch (err) {
    assert.fail(`passwords.js could not run: ${err.message}. Press Run to see where.`);
  }
  for (const name of ['hashPassword', 'checkPassword']) {
    if (typeof mod[name] !== 'function') {
      assert.fail(`passwords.js should export a function called ${name}`);
    }
  }
  return mod;
}

function hash(password) {
  let stored;
  try {
    stored = load().hashPassword(password);
  } catch (err) {
    assert.fail(`hashPassword(${JSON.stringify(password)}) stopped with an error: ${err.message}`);
  }
  assert.equal(typeof stored, 'string', `hashPassword(${JSON.stringify(password)}) should return text, "salt:hash"`);
  return stored;
}

function check(password, stored) {
  try {
    return load().checkPassword(password, stored);
  } catch (err) {
    assert.fail(`checkPassword(${JSON.stringify(password)}, ${JSON.stringify(stored)}) stopped with an error: ${err.message}. ` +
      'It should return false for stored text it cannot read');
  }
}

const FORMAT = /^([0-9a-f]{32,}):([0-9a-f]{64})$/i;
const PASSWORDS = ['tea4two', 'correct horse battery staple', "O'Brien&<1>"];

test('hashPassword never keeps the password itself', () => {
  for (const password of PASSWORDS) {
    const stored = hash(password);
    const lower = stored.toLowerCase();
    for (const form of [password, Buffer.from(password).toString('base64'), Buffer.from(password).toString('hex')]) {
      assert.ok(!lower.includes(form.toLowerCase()),
        `hashPassword(${JSON.stringify(password)}) gave ${stored}, and the password can be read back from it. ` +
        'Store a hash made with crypto.scryptSync, never the password (and not just written in hex or base64)');
    }
  }
});

test('the stored text is a salt and a hash in hex: salt:hash', () => {
  const stored = hash('tea4two');
  assert.ok(FORMAT.test(stored),
    `hashPassword('tea4two') gave ${stored}. It should be a salt of 16 bytes or more, a colon, ` +
    'and a 32-byte hash, both written in hex: salt.toString("hex") + ":" + hash.toString("hex")');
});

test('two people with the same password get different stored text', () => {
  const first = hash('tea4two');
  const second = hash('tea4two');
  assert.notEqual(first, second,
    'Two hashes of tea4two came out the same, so anyone can see who shares a password. ' +
    'Make a new random salt each time: crypto.randomBytes(16)');
});

test('the hash is scrypt of the password with that salt', () => {
  for (const password of PASSWORDS) {
    const stored = hash(password);
    const found = stored.match(FORMAT);
    assert.ok(found, `hashPassword(${JSON.stringify(password)}) gave ${stored}, which is not salt:hash in hex`);
    const [, saltHex, hashHex] = found;
    const withBytes = crypto.scryptSync(password, Buffer.from(saltHex, 'hex'), 32).toString('hex');
    const withText = crypto.scryptSync(password, saltHex, 32).toString('hex');
    assert.ok(hashHex.toLowerCase() === withBytes || hashHex.toLowerCase() === withText,
      `The hash part of ${stored} is not crypto.scryptSync(password, salt, 32). ` +
      'Fast hashes such as sha256 can be guessed billions of times a second: use scrypt, which is slow on purpose');
  }
});

test('checkPassword accepts the right password', () => {
  for (const password of PASSWORDS) {
    const stored = hash(password);
    assert.equal(check(password, stored), true,
      `checkPassword(${JSON.stringify(password)}, the text hashPassword made for it) should be true. ` +
      'Take the salt from the stored text and hash the password again with it');
  }
});

test('checkPassword refuses a wrong password', () => {
  const stored = hash('tea4two');
  for (const wrong of ['coffee', 'Tea4two', 'tea4two ', '', 'tea4tw']) {
    assert.equal(check(wrong, stored), false, `checkPassword(${JSON.stringify(wrong)}, the hash of tea4two) should be false`);
  }
  const other = hash('coffee');
  assert.equal(check('tea4two', other), false, "tea4two should not open coffee's account");
});

test('checkPassword says false for damaged stored text, instead of stopping', () => {
  const good = hash('tea4two');
  const [salt] = good.split(':');
  for (const stored of ['', 'tea4two', ':', 'abc:', `${salt}:`, `${salt}:zz`, `${salt}:abcd`]) {
    assert.equal(check('tea4two', stored), false, `checkPassword('tea4two', ${JSON.stringify(stored)}) should be false`);
  }
});

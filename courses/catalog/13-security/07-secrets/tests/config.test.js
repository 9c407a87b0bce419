const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');

function load() {
  let mod;
  try {
    mod = require('./config.js');
  } catch (err) {
    assert.fail(`config.js could not run: ${err.message}. Press Run to see where.`);
  }
  if (typeof mod.loadConfig !== 'function') {
    assert.fail('config.js should export a function called loadConfig');
  }
  return mod;
}

const SECRET = 'tea and biscuits';

function refuses(env, mentions, what) {
  const { loadConfig } = load();
  let result;
  try {
    result = loadConfig(env);
  } catch (err) {
    assert.ok(String(err.message).includes(mentions),
      `loadConfig(${JSON.stringify(env)}) stopped, good, but its message "${err.message}" should name ${mentions}, so whoever starts the server knows what to fix`);
    return;
  }
  assert.fail(`loadConfig(${JSON.stringify(env)}) should throw an error (${what}), but it gave ${JSON.stringify(result)}`);
}

test('the admin password is no longer written in the code', () => {
  const code = fs.readFileSync('config.js', 'utf8');
  assert.ok(!code.includes('letmein'),
    'config.js still has the password letmein in it. Delete that line: the password comes from env.ADMIN_PASSWORD');
});

test('loadConfig reads ADMIN_PASSWORD and PORT from the environment', () => {
  const { loadConfig } = load();
  assert.deepEqual(loadConfig({ ADMIN_PASSWORD: SECRET, PORT: '8080' }), { port: 8080, adminPassword: SECRET },
    `loadConfig({ ADMIN_PASSWORD: '${SECRET}', PORT: '8080' }) should give { port: 8080, adminPassword: '${SECRET}' } (the port as a number)`);
  assert.deepEqual(loadConfig({ ADMIN_PASSWORD: 'another long phrase', PORT: '3001' }), { port: 3001, adminPassword: 'another long phrase' },
    'loadConfig should use whatever the environment says, not fixed values');
});

test('without PORT, the port is 3000', () => {
  const { loadConfig } = load();
  const config = loadConfig({ ADMIN_PASSWORD: SECRET });
  assert.equal(config && config.port, 3000, 'With no PORT in the environment, the port should be 3000');
});

test('without ADMIN_PASSWORD, loadConfig refuses to start', () => {
  refuses({}, 'ADMIN_PASSWORD', 'there is no password, and a server must never fall back to a known one');
  refuses({ PORT: '8080' }, 'ADMIN_PASSWORD', 'there is no password');
  refuses({ ADMIN_PASSWORD: '' }, 'ADMIN_PASSWORD', 'the password is empty');
});

test('a password shorter than 12 characters is refused', () => {
  refuses({ ADMIN_PASSWORD: 'letmein' }, '12', 'the password is too short');
  refuses({ ADMIN_PASSWORD: '12345678901' }, '12', 'the password has only 11 characters');
  const { loadConfig } = load();
  assert.equal(loadConfig({ ADMIN_PASSWORD: '123456789012' }).adminPassword, '123456789012',
    'A password of exactly 12 characters is allowed');
});

test('a PORT that is not a whole number is refused', () => {
  refuses({ ADMIN_PASSWORD: SECRET, PORT: 'eighty' }, 'PORT', 'eighty is not a port number');
  refuses({ ADMIN_PASSWORD: SECRET, PORT: '80.5' }, 'PORT', '80.5 is not a whole number');
});

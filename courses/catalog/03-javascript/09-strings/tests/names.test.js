const test = require('node:test');
const assert = require('node:assert/strict');

function load() {
  let mod;
  try {
    mod = require('./names.js');
  } catch (err) {
    assert.fail(`names.js could not run: ${err.message}. Press Run to see where.`);
  }
  for (const name of ['makeSlug', 'initials', 'badge']) {
    if (typeof mod[name] !== 'function') {
      assert.fail(`There is no function called ${name}. Keep the module.exports line.`);
    }
  }
  return mod;
}

test("makeSlug('My First Page') returns 'my-first-page'", () => {
  const { makeSlug } = load();
  assert.equal(makeSlug('My First Page'), 'my-first-page', "makeSlug('My First Page') should return 'my-first-page'");
  assert.equal(makeSlug('Home'), 'home', "makeSlug('Home') should return 'home'");
});

test("initials('Ada Lovelace') returns 'A.L.'", () => {
  const { initials } = load();
  assert.equal(initials('Ada Lovelace'), 'A.L.', "initials('Ada Lovelace') should return 'A.L.'");
});

test('initials works for one name and for three names', () => {
  const { initials } = load();
  assert.equal(initials('Cher'), 'C.', "initials('Cher') should return 'C.'");
  assert.equal(initials('Mary Ann Evans'), 'M.A.E.', "initials('Mary Ann Evans') should return 'M.A.E.'");
});

test("badge('Ada', 'teacher') returns 'Name: Ada (teacher)'", () => {
  const { badge } = load();
  assert.equal(badge('Ada', 'teacher'), 'Name: Ada (teacher)', "badge('Ada', 'teacher') should return 'Name: Ada (teacher)'");
  assert.equal(badge('Sam', 'learner'), 'Name: Sam (learner)', "badge('Sam', 'learner') should return 'Name: Sam (learner)'");
});

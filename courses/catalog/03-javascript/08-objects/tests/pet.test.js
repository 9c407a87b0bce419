const test = require('node:test');
const assert = require('node:assert/strict');

function load() {
  let mod;
  try {
    mod = require('./pet.js');
  } catch (err) {
    assert.fail(`pet.js could not run: ${err.message}. Press Run to see where.`);
  }
  if (typeof mod.makePet !== 'function') {
    assert.fail('There is no function called makePet. Keep the module.exports line.');
  }
  return mod.makePet;
}

function newPet(name, species) {
  const pet = load()(name, species);
  assert.equal(typeof pet, 'object', 'makePet should return an object { ... }');
  assert.notEqual(pet, null, 'makePet should return an object { ... }');
  return pet;
}

function method(pet, name) {
  assert.equal(typeof pet[name], 'function', `The pet should have a method called ${name}()`);
}

test("makePet('Rex', 'dog') has name, species and hunger 5", () => {
  const pet = newPet('Rex', 'dog');
  assert.equal(pet.name, 'Rex', "pet.name should be 'Rex'");
  assert.equal(pet.species, 'dog', "pet.species should be 'dog'");
  assert.equal(pet.hunger, 5, 'pet.hunger should start at 5');
});

test('feed() lowers hunger by 1', () => {
  const pet = newPet('Tibbles', 'cat');
  method(pet, 'feed');
  pet.feed();
  assert.equal(pet.hunger, 4, 'After one feed() hunger should be 4. Use this.hunger.');
  pet.feed();
  assert.equal(pet.hunger, 3, 'After two feed() calls hunger should be 3');
});

test('hunger never goes below 0', () => {
  const pet = newPet('Goldie', 'fish');
  method(pet, 'feed');
  for (let i = 0; i < 8; i++) pet.feed();
  assert.equal(pet.hunger, 0, 'After many feeds hunger should stop at 0');
});

test("describe() returns 'Rex the dog'", () => {
  const pet = newPet('Rex', 'dog');
  method(pet, 'describe');
  assert.equal(pet.describe(), 'Rex the dog', "describe() should return 'Rex the dog'");
});

test('two pets are separate objects', () => {
  const rex = newPet('Rex', 'dog');
  const polly = newPet('Polly', 'parrot');
  method(rex, 'feed');
  rex.feed();
  assert.equal(polly.hunger, 5, 'Feeding Rex should not change Polly: use this, not a shared variable');
  assert.equal(polly.describe(), 'Polly the parrot', "describe() should use this.name and this.species");
});

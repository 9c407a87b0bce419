function makePet(name, species) {
  const pet = { name, species, hunger: 5 };
  pet.feed = function () {
    pet.hunger = Math.max(0, pet.hunger - 1);
  };
  pet.describe = function () {
    return `${pet.name} the ${pet.species}`;
  };
  return pet;
}

// This line shares your functions with the tests. Leave it as it is.
module.exports = { makePet };

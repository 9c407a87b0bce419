// Pancakes: scale the recipe for any number of people.

const perPerson = {
  flour: 50
  milk: 100,
  eggs: 0.5,
};

function scale(people) {
  const eggs = Math.ceil(perPerson.eggs * people);
  return {
    flour: perPerson.flour * people,
    milk: perPerson.milk * people,
    eggs: eggs,
  };


function shoppingLine(people) {
  const amounts = scale(people);
  return "For " + people + ": " + amounts.flour + " g flour, " +
    amounts.milk + " ml milk,  + amounts.eggs + " eggs";
}

console.log(shoppingLine(4));

// This line shares your functions with the tests. Leave it as it is.
module.exports = { scale, shoppingLine };

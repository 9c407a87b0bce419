// Sharing the cost of a party between the guests.

function share(cost, people) {
  return cost / people.length;
}

function plan(party) {
  const each = share(party.cost, party.guests);
  return party.name + ": " + each + " each";
}

const party = {
  name: "Ana's birthday",
  cost: 60,
  guests: ["Ana", "Ben", "Cal"],
};

console.log(plan(party));

// This line shares your functions with the tests. Leave it as it is.
module.exports = { share, plan };

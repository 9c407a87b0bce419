const greeting = `Hello, Slate!`;
const answer = 6 * 7;
console.log(greeting);
console.log(answer);
console.log(`I am learning JavaScript`);

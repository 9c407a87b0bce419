console.log("Hello Slate!");
console.log(6 * 7);
console.log("I am learning JavaScript");

// Press Run: this stores two members who chose the same password,
// shows what the database would hold, then tries two logins.
const { hashPassword, checkPassword } = require("./passwords.js");

const ada = hashPassword("tea4two");
const sam = hashPassword("tea4two");
console.log("Stored for Ada:", ada);
console.log("Stored for Sam:", sam);
console.log("Same stored text for both?", ada === sam);
console.log("Ada logs in with tea4two:", checkPassword("tea4two", ada));
console.log("Ada logs in with coffee:", checkPassword("coffee", ada));

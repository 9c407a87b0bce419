const list = document.querySelector('#shopping');

// 1. Add two new items at the end of the list: Eggs, then Rice.

// 2. Take the item with the class old off the page.

// 3. Put a new <p> inside #info that says: 2 things added

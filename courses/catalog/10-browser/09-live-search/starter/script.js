const search = document.querySelector('#search');
const people = document.querySelectorAll('#people li');
const found = document.querySelector('#found');

// 1. Write update(): show only the names that contain what is typed
//    in #search (small or capital letters both count), hide the
//    others, and write how many are shown in #found: "3 found".

// 2. Run update() once now, and every time the text in #search changes.

// 3. Pressing Escape in #search empties it and shows everyone again.

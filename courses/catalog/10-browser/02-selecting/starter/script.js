// 1. Count the late buses and show the number in #late-count.

// 2. Give every late bus the class red.

// 3. Give the first bus in the list the class next.

// 4. Change the heading inside #notice to: Check the board

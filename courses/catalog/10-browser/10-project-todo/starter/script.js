// Your to-do page. A plan, one step at a time:
// 1. When the form is sent, add an <li> at the end of #todos with
//    a checkbox and a <span class="text"> holding the to-do.
// 2. Ticking a checkbox gives its <li> the class done (and takes
//    it away again when un-ticked).
// 3. #left always says how many to-dos are not done: "2 left".
// 4. The buttons show all to-dos, only active ones, or only done ones.

// The tangled version. It works, but one function does three jobs.
// Read it, then split it into model.js, view.js and controller.js.

const items = [];

function addAndShow(name, qty) {
  // Rules (the model's job)
  name = String(name).trim();
  if (name === "") {
    return '<p class="error">Please give the item a name</p>';
  }
  qty = Number(qty);
  if (!Number.isInteger(qty) || qty < 1 || qty > 99) {
    return '<p class="error">Quantity must be a whole number from 1 to 99</p>';
  }
  // Data (the model's job)
  items.push({ name: name, qty: qty });
  // HTML (the view's job)
  let html = "<ul>";
  for (const item of items) {
    html = html + "<li>" + item.qty + " x " + item.name + "</li>";
  }
  return html + "</ul>";
}

module.exports = { addAndShow };

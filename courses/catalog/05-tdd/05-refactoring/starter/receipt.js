// This works, but it is hard to read. Pin it down with tests first,
// then tidy it up.
function r(a) {
  var t = 0;
  var out = '';
  for (var i = 0; i < a.length; i++) {
    var x = a[i];
    var l = x.price * x.qty;
    t = t + l;
    out = out + x.name + ' x' + x.qty + ': ' + (Math.round(l * 100) / 100).toFixed(2) + '\n';
  }
  out = out + 'TOTAL: ' + (Math.round(t * 100) / 100).toFixed(2);
  return out;
}

module.exports = { receipt: r };

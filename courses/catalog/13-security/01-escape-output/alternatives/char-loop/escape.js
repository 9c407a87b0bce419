function escapeHtml(text) {
  let out = "";
  for (const letter of String(text)) {
    switch (letter) {
      case "&": out += "&amp;"; break;
      case "<": out += "&lt;"; break;
      case ">": out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case "'": out += "&#039;"; break;
      default: out += letter;
    }
  }
  return out;
}

module.exports = { escapeHtml };

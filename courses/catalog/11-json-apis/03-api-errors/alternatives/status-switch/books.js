async function loadBook(baseUrl, id) {
  const failed = (message) => ({ ok: false, message });
  let response = null;
  try {
    response = await fetch(`${baseUrl}/books/${id}`);
  } catch {
    return failed("Could not reach the library server");
  }
  switch (response.status) {
    case 200:
      break;
    case 404:
      return failed("No such book");
    default:
      return failed(`The library server has a problem (${response.status})`);
  }
  let book;
  try {
    book = await response.json();
  } catch {
    return failed("The answer was not valid JSON");
  }
  return { ok: true, book };
}

module.exports = { loadBook };

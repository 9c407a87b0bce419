// Ask the library server for one book, and explain any problem.
// Gives back { ok: true, book } when it worked, or
// { ok: false, message } when it did not. It never throws.
async function loadBook(baseUrl, id) {
  const response = await fetch(`${baseUrl}/books/${id}`);
  if (response.status === 404) {
    return { ok: false, message: "No such book" };
  }
  if (!response.ok) {
    return {
      ok: false,
      message: `The library server has a problem (${response.status})`,
    };
  }
  try {
    const book = await response.json();
    return { ok: true, book };
  } catch (error) {
    return { ok: false, message: "The answer was not valid JSON" };
  }
}

module.exports = { loadBook };

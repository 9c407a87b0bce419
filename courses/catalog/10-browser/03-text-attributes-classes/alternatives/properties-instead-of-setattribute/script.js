const person = {
  name: 'Rosa',
  job: 'Baker',
  photo: 'rosa.png',
};

const badge = document.querySelector('#badge');
const photo = document.querySelector('#photo');

// 1. Show the person's name in #name and job in #job.
document.querySelector('#name').textContent = person.name;
document.querySelector('#job').textContent = person.job;

// 2. Show the person's photo: set the src of #photo to person.photo
//    and its alt to "Photo of Rosa" (use person.name).
photo.src = person.photo;
photo.alt = 'Photo of ' + person.name;

// 3. Point the #profile link at "rosa.html" (person.name in small
//    letters, then .html).
const link = document.querySelector('#profile');
link.setAttribute('href', `${person.name.toLowerCase()}.html`);

// 4. Rosa works here: take the class visitor off the badge and give
//    it the class staff. Keep the class card.
badge.classList.replace('visitor', 'staff');

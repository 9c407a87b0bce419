create table members (
  id integer primary key,
  customer_id integer not null unique references customers(id),
  card_number text not null unique,
  points integer not null default 0 check (points >= 0)
);

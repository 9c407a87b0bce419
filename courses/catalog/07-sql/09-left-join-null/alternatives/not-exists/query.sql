select m.name
from members as m
where not exists (
  select 1 from loans l where l.member_id = m.id
);

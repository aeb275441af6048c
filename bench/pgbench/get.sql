-- One submission by primary key, the id drawn at random from those seeded.
\set n random(1, :ids)
SELECT s.* FROM submissions s WHERE s.id = (SELECT id FROM bench_ids WHERE n = :n);

-- case: schema change with an empty downgrade (reported where the downgrade is)
ALTER TABLE users ADD COLUMN age integer;
-- downgrade
-- (empty) -- expect: empty-downgrade
-- case: a downgrade with only comments is empty
CREATE INDEX CONCURRENTLY users_age_idx ON users (age);
-- downgrade
-- nothing to do -- expect: empty-downgrade
-- case: data migration with an empty downgrade
UPDATE users SET age = 0 WHERE age IS NULL;
-- downgrade
-- case: downgrade that undoes it
ALTER TABLE users ADD COLUMN age integer;
-- downgrade
ALTER TABLE users DROP COLUMN age;
-- case: no downgrade script at all
ALTER TABLE users ADD COLUMN age integer;

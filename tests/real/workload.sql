-- workload.sql: read by sqlite3 from stdin in tests/real/sqlite.sh.
.headers on
.mode list
CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT, created INTEGER);
CREATE TABLE products(id INTEGER PRIMARY KEY, title TEXT, price REAL);
CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER REFERENCES customers(id),
                    product INTEGER REFERENCES products(id), qty INTEGER, note TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
  INSERT INTO customers SELECT i, 'customer-' || i, 'city' || (i * 7 % 53), i * 86400 FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
  INSERT INTO products SELECT i, printf('product %04d %s', i, substr('abcdefghijklmnopqrstuvwxyz', 1 + i % 26)),
                              round((i * 37 % 1000) / 10.0 + 0.99, 2) FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000)
  INSERT INTO orders SELECT i, 1 + (i * 7919) % 5000, 1 + (i * 104729) % 500, 1 + i % 9,
                            CASE WHEN i % 11 = 0 THEN hex(randomblob(0)) || replace(printf('%.*c', i % 200, 'n'), 'n', 'note ') END
                     FROM n;
CREATE INDEX orders_customer ON orders(customer);
CREATE INDEX orders_product ON orders(product, qty);
CREATE INDEX customers_city ON customers(city);
SELECT count(*) AS orders, sum(qty) AS items, count(note) AS notes, max(length(note)) AS longest FROM orders;
SELECT c.city, count(DISTINCT c.id) AS customers, count(o.id) AS orders, round(sum(o.qty * p.price), 2) AS revenue
  FROM customers c JOIN orders o ON o.customer = c.id JOIN products p ON p.id = o.product
  GROUP BY c.city ORDER BY revenue DESC, c.city LIMIT 8;
SELECT p.title, sum(o.qty) AS sold
  FROM products p LEFT JOIN orders o ON o.product = p.id
  GROUP BY p.id HAVING sold > 0 ORDER BY sold DESC, p.title LIMIT 5;
SELECT name FROM customers WHERE id IN (SELECT customer FROM orders GROUP BY customer HAVING sum(qty) >= 40)
  ORDER BY name LIMIT 5;
SELECT group_concat(title, '|') FROM (SELECT title FROM products ORDER BY price DESC, id LIMIT 6);
BEGIN;
DELETE FROM orders WHERE qty > 4;
UPDATE customers SET name = upper(name) WHERE id % 3 = 0;
SELECT count(*) FROM orders;
ROLLBACK;
SELECT count(*) FROM orders;
UPDATE orders SET note = 'updated ' || id WHERE id % 1000 = 0;
DELETE FROM orders WHERE id % 10 = 3;
SELECT * FROM no_such_table;
VACUUM;
SELECT count(*), sum(length(note)) FROM orders;

-- One store's transactions: {store}, {country}, {region} and {rows} are filled in by run.sh and by the end-to-end test.
-- Deterministic (hashes of the row number and the store), so every run writes the same bytes.
SELECT '{store}' AS store, '{country}' AS country, '{region}' AS region, i AS transaction_id,
       DATE '2026-01-01' + CAST(i % 90 AS INTEGER) AS day,
       'sku-' || CAST(hash(i, '{store}') % 500 AS VARCHAR) AS sku,
       CAST(1 + hash(i, 'quantity', '{store}') % 4 AS INTEGER) AS quantity,
       CAST((100 + hash(i, 'price', '{store}') % 9900) / 100 AS DECIMAL(10, 2)) AS unit_price
FROM range({rows}) t(i)

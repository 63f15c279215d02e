-- scope: outlet_day
-- Compliance metrics per outlet and day (contract section 3).
SELECT
    outlet_id,
    accept_date,
    parcels,
    CAST(realname_ok AS DOUBLE) / CAST(parcels AS DOUBLE) AS realname_rate,
    CAST(inspected_ok AS DOUBLE) / CAST(parcels AS DOUBLE) AS inspection_rate,
    CAST(screened_ok AS DOUBLE) / CAST(parcels AS DOUBLE) AS screening_rate,
    suspect_count
FROM outlet_day

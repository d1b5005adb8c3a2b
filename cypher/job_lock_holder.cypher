// Job lock (graph/lock.py server_lock): who holds the lock — the open transaction whose metadata names it,
// with the job, host, pid and start the holder put there and the client address the server saw.
// Parameters: $lock (the lock's name). Returns meta (map), start (string), client (string).
SHOW TRANSACTIONS YIELD metaData, startTime, clientAddress
WHERE metaData.iron_cage_job_lock = $lock
RETURN metaData AS meta, toString(startTime) AS start, clientAddress AS client
ORDER BY start
LIMIT 1

// Job lock (graph/lock.py server_lock): take the lock node's write lock. Run in a transaction that is never
// committed: the job's open transaction holds the lock until it rolls back or its connection drops.
// Parameters: $lock (the lock's name). Returns nothing.
MATCH (l:JobLock {name: $lock})
SET l.taken = true

// Job lock (graph/lock.py server_lock): make sure the lock node exists, committed on its own, so that jobs
// only ever take its write lock and never race to create it (JobLock.name is unique by the model's constraint).
// Parameters: $lock (the lock's name, 'database'). Returns nothing.
MERGE (:JobLock {name: $lock})

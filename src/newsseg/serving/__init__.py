"""A trained pipeline over whole inputs: `newsseg predict` (inputs -> batches -> a runner on worker
processes -> writers, with resume and interrupts) and Spark."""

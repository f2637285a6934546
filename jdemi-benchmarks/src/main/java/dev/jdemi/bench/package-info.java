/**
 * JMH microbenchmarks of jdemi's hot paths. Run them with
 * {@code java -jar jdemi-benchmarks/target/jdemi-benchmarks.jar -prof gc} (see {@code docs/results.md}); the
 * {@code gc.alloc.rate.norm} column is the bytes allocated per operation, which should be 0 in steady state.
 */
package dev.jdemi.bench;

/**
 * The API conformance suite: one abstract set of tests that pins down the behaviour of the public {@code LibOS}
 * API (argument checks and their errnos, every socket state transition, push/pop/wait semantics, SGA ownership,
 * closing with operations pending) so that every LibOS is held to the same contract.
 *
 * <p>A LibOS joins by extending {@link dev.jdemi.conformance.ApiConformanceSuite} in its own test package and
 * answering the fixture hooks (how to open two instances, which addresses to use). The suite is published in the
 * test-jar.
 *
 * <p>Dependency rule: uses only the public API ({@code dev.jdemi}), JUnit and AssertJ; never a LibOS's internals,
 * so a test can only fail through behaviour an application would see.
 */
package dev.jdemi.conformance;

/**
 * The network LibOS engine: queue descriptors, the socket state machine with upstream's errnos, argument checks in
 * upstream's order, and the dispatch of every socket call to a {@link dev.jdemi.libos.Transport}.
 *
 * <p>Dependency rule: depends on the API and the runtime; never on a particular transport (catnap, inet, catmem).
 */
package dev.jdemi.libos;

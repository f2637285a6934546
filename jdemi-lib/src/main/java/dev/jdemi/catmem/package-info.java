/**
 * catmem and catloop: queues between processes of one host over rings in POSIX shared memory.
 *
 * <p><b>catmem</b> ({@link dev.jdemi.catmem.CatmemTransport}) gives pipes: {@code createPipe(name)} makes the object
 * {@code /dev/shm/jdemi-catmem-<name>} laid out as {@link dev.jdemi.catmem.PipeDescriptor}, two single-producer,
 * single-consumer rings of variable-length records ({@link dev.jdemi.catmem.RingDescriptor}, one per direction);
 * {@code openPipe(name)} maps the other end. Closing an end marks its stream ended (the peer's pops then see a
 * zero-length SGA) and the creator removes the name. <b>catloop</b> ({@link dev.jdemi.catmem.CatloopTransport}) gives
 * TCP-like stream sockets on loopback addresses over the same pipes.
 *
 * <p><b>Memory ordering.</b> Shared words are read and written only through {@link java.lang.invoke.VarHandle}
 * access modes, and the methods that do so are named by the ordering they use, after JCTools'
 * {@code queues/package-info}: {@code lv} a load with acquire semantics, {@code so} an ordered (release) store,
 * {@code lp}/{@code sp} plain load and store, {@code cas} compare-and-set. A value loaded from shared memory that a
 * method uses several times goes into a final local of the field's name. Record bytes are written plainly before the
 * release store of the producer position that publishes them, and read after the acquire load that observes it.
 *
 * <p><b>Dependencies.</b> The runtime, the {@code libos} Transport SPI, the API, and {@code sys.SharedMemory} for
 * {@code shm_open}/{@code mmap}; never {@code catnap}, {@code inet} or {@code bootstrap}.
 */
package dev.jdemi.catmem;

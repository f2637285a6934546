package dev.jdemi.bootstrap;

import dev.jdemi.Config;
import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
import dev.jdemi.catmem.CatmemTransport;
import dev.jdemi.catmem.PipeDescriptor;
import dev.jdemi.libos.NetworkLibOS;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.Runtime;
import dev.jdemi.runtime.SystemClock;
import dev.jdemi.spi.LibOSProvider;

/**
 * Makes catmem LibOSes: {@link NetworkLibOS} over {@link CatmemTransport}, whose queues are shared-memory pipes.
 */
public final class CatmemProvider implements LibOSProvider {
    @Override
    public LibOSName name() {
        return LibOSName.CATMEM;
    }

    @Override
    public LibOS open(Config config) {
        Runtime runtime = new Runtime(new SystemClock(), new BufferPool(0), config.jdemi().waitPolicy());
        return new NetworkLibOS(LibOSName.CATMEM, runtime,
                new CatmemTransport(PipeDescriptor.DEFAULT_RING_CAPACITY));
    }
}

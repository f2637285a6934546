package dev.jdemi.bootstrap;

import dev.jdemi.Config;
import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
import dev.jdemi.catmem.CatloopTransport;
import dev.jdemi.catmem.PipeDescriptor;
import dev.jdemi.libos.NetworkLibOS;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.Runtime;
import dev.jdemi.runtime.SystemClock;
import dev.jdemi.spi.LibOSProvider;

/**
 * Makes catloop LibOSes: {@link NetworkLibOS} over {@link CatloopTransport}, stream sockets over catmem pipes.
 */
public final class CatloopProvider implements LibOSProvider {
    @Override
    public LibOSName name() {
        return LibOSName.CATLOOP;
    }

    @Override
    public LibOS open(Config config) {
        Runtime runtime = new Runtime(new SystemClock(), new BufferPool(0), config.jdemi().waitPolicy());
        return new NetworkLibOS(LibOSName.CATLOOP, runtime,
                new CatloopTransport(PipeDescriptor.DEFAULT_RING_CAPACITY));
    }
}

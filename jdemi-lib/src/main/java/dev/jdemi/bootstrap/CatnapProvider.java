package dev.jdemi.bootstrap;

import dev.jdemi.Config;
import dev.jdemi.LibOS;
import dev.jdemi.LibOSName;
import dev.jdemi.catnap.CatnapTransport;
import dev.jdemi.libos.NetworkLibOS;
import dev.jdemi.runtime.BufferPool;
import dev.jdemi.runtime.Runtime;
import dev.jdemi.runtime.SystemClock;
import dev.jdemi.spi.LibOSProvider;

/**
 * Makes catnap LibOSes: {@link NetworkLibOS} over {@link CatnapTransport}, with no buffer headroom (the kernel
 * writes the headers).
 */
public final class CatnapProvider implements LibOSProvider {
    @Override
    public LibOSName name() {
        return LibOSName.CATNAP;
    }

    @Override
    public LibOS open(Config config) {
        Runtime runtime = new Runtime(new SystemClock(), new BufferPool(0), config.jdemi().waitPolicy());
        CatnapTransport transport;
        try {
            transport = new CatnapTransport(config.tcpSocketOptions());
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
        return new NetworkLibOS(LibOSName.CATNAP, runtime, transport);
    }
}

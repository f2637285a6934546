/**
 * The service-provider interface through which {@link dev.jdemi.LibOS#open} finds LibOS implementations.
 *
 * <p>Dependency rule: depends only on the API package.
 */
package dev.jdemi.spi;

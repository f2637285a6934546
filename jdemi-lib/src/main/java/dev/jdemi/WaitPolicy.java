package dev.jdemi;

/**
 * How a LibOS waits when it has nothing to do.
 */
public enum WaitPolicy {
    /** Poll without pause: the lowest latency, one core busy while waiting. */
    SPIN,
    /** Spin briefly, then sleep in the backend (epoll_wait, a ring wake-up) until it has work or a timer is due. */
    BLOCK
}

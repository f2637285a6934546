package dev.jdemi;

/**
 * An Ethernet (EUI-48) address.
 *
 * @param value the 48 bits, first octet in bits 40..47
 */
public record MacAddress(long value) {
    /** The broadcast address ff:ff:ff:ff:ff:ff. */
    public static final MacAddress BROADCAST = new MacAddress(0xFFFF_FFFF_FFFFL);

    /**
     * Validates the value.
     *
     * @throws DemiException EINVAL when the value has bits above 48
     */
    public MacAddress {
        if ((value & ~0xFFFF_FFFF_FFFFL) != 0) {
            throw new DemiException(Errno.EINVAL, "a MAC address has 48 bits, got 0x" + Long.toHexString(value));
        }
    }

    /**
     * Parses {@code xx:xx:xx:xx:xx:xx}, {@code xx-xx-xx-xx-xx-xx} or {@code xxxx.xxxx.xxxx}.
     *
     * @param text the address
     * @return the address
     * @throws DemiException EINVAL when the text is not a MAC address
     */
    public static MacAddress parse(String text) {
        if (text != null) {
            String hex = text.trim();
            boolean colonOrDash = hex.length() == 17 && (allSeparators(hex, ':', 3) || allSeparators(hex, '-', 3));
            boolean dotted = hex.length() == 14 && hex.charAt(4) == '.' && hex.charAt(9) == '.';
            if (colonOrDash || dotted) {
                String digits = hex.replace(":", "").replace("-", "").replace(".", "");
                if (digits.length() == 12 && digits.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                    return new MacAddress(Long.parseLong(digits, 16));
                }
            }
        }
        throw new DemiException(Errno.EINVAL, "'" + text + "' is not a MAC address");
    }

    private static boolean allSeparators(String text, char separator, int stride) {
        for (int i = 2; i < text.length(); i += stride) {
            if (text.charAt(i) != separator) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            int octet = (int) (value >>> shift) & 0xFF;
            sb.append(Character.forDigit(octet >>> 4, 16)).append(Character.forDigit(octet & 0xF, 16));
            if (shift > 0) {
                sb.append(':');
            }
        }
        return sb.toString();
    }
}

package dev.jdemi.tools.options;

import dev.jdemi.DemiException;
import dev.jdemi.LibOSName;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The picocli converter for {@code --libos}: the LibOS names of {@link LibOSName#parse(String)}, ignoring case.
 */
public final class LibOSNameConverter implements ITypeConverter<LibOSName> {
    @Override
    public LibOSName convert(String value) {
        try {
            return LibOSName.parse(value);
        } catch (DemiException e) {
            throw new TypeConversionException("'" + value + "' is not a LibOS; expected one of catnap, catcollar, "
                    + "catpowder, catnip, catmem, catloop");
        }
    }
}

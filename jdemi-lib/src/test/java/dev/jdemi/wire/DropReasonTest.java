package dev.jdemi.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DropReasonTest {

    @Test
    void everyCodeIsDistinctDenseAndNamedAfterItsConstant() throws IllegalAccessException {
        List<Integer> codes = new ArrayList<>();
        for (Field field : DropReason.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == int.class
                    && !field.getName().equals("COUNT")) {
                int code = field.getInt(null);
                codes.add(code);
                assertThat(DropReason.name(code)).as("name of %s", field.getName()).isEqualTo(field.getName());
            }
        }

        assertThat(codes).doesNotHaveDuplicates().hasSize(DropReason.COUNT);
        assertThat(codes).allSatisfy(code -> assertThat(code).isBetween(0, DropReason.COUNT - 1));
        assertThat(DropReason.NONE).isZero();
    }

    @Test
    void outOfRangeCodesHaveAPlaceholderName() {
        assertThat(DropReason.name(-1)).isEqualTo("UNKNOWN");
        assertThat(DropReason.name(DropReason.COUNT)).isEqualTo("UNKNOWN");
    }
}

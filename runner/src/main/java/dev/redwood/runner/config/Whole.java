package dev.redwood.runner.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import java.io.IOException;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;

/** The bounds of a whole-number setting of the structured form; without it, it must be >= 0. */
@Retention(RetentionPolicy.RUNTIME)
@interface Whole {
  int min() default 0;

  int max() default Integer.MAX_VALUE;

  /**
   * Binds a JSON integer within the bounds of its property's {@link Whole}; anything else is a
   * {@link Problem} that states the bounds, which Jackson's own error could not.
   */
  final class Reader extends JsonDeserializer<Integer> implements ContextualDeserializer {
    private final int min;
    private final int max;

    Reader(int min, int max) {
      this.min = min;
      this.max = max;
    }

    @Override
    public JsonDeserializer<?> createContextual(DeserializationContext c, BeanProperty property) {
      Whole bounds = property == null ? null : property.getAnnotation(Whole.class);
      return bounds == null ? this : new Reader(bounds.min(), bounds.max());
    }

    @Override
    public Integer deserialize(JsonParser p, DeserializationContext c) throws IOException {
      JsonToken token = p.currentToken();
      boolean integer =
          token == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT;
      if (integer && p.getIntValue() >= min && p.getIntValue() <= max) {
        return p.getIntValue();
      }
      String range = max == Integer.MAX_VALUE ? ">= " + min : "from " + min + " to " + max;
      boolean quoted = token == JsonToken.VALUE_STRING && p.getText().trim().matches("[+-]?\\d+");
      throw Problem.ofToken("must be a whole number " + range, token, p.getText(),
          quoted ? " (write the number without quotes)" : "");
    }
  }
}

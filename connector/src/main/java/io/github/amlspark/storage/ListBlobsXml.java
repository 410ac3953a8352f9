package io.github.amlspark.storage;

import com.azure.storage.common.Utility;
import com.azure.xml.XmlReader;
import com.azure.xml.XmlToken;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.xml.stream.XMLStreamException;

/**
 * Reads one List Blobs response page, keeping only what a listing needs (name, length, last modification,
 * Content-MD5, ETag, the folder-marker flag) and handing each blob on as it is read. The SDK's own model
 * builds some forty properties, two dates and a metadata map per blob and then copies them into a second
 * object: most of a 100,000-blob planning's time in a profile.
 */
final class ListBlobsXml {
  private static final String MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";

  private ListBlobsXml() {
  }

  /** Receives each blob of a page, in listing order. */
  interface Sink {
    /**
     * @param name the blob name, decoded
     * @param length its length in bytes
     * @param lastModifiedMillis its last modification time, epoch milliseconds
     * @param contentMd5 its Content-MD5 as lowercase hex, or null
     * @param etag its ETag
     * @param folderMarker whether it is a folder marker: {@code hdi_isfolder=true} metadata, or an empty
     *     blob whose name ends in {@code /}
     */
    void blob(String name, long length, long lastModifiedMillis, String contentMd5, String etag,
        boolean folderMarker);
  }

  /**
   * @param body the page's XML
   * @param sink receives the page's blobs
   * @return the NextMarker, "" after the last page
   * @throws XMLStreamException when the page is not List Blobs XML
   */
  static String read(InputStream body, Sink sink) throws XMLStreamException {
    String next = "";
    try (XmlReader reader = XmlReader.fromStream(body)) {
      if (reader.nextElement() != XmlToken.START_ELEMENT || !reader.elementNameMatches("EnumerationResults")) {
        throw new XMLStreamException("not a List Blobs response (no EnumerationResults element)");
      }
      while (reader.nextElement() == XmlToken.START_ELEMENT) {
        if (reader.elementNameMatches("Blobs")) {
          while (reader.nextElement() == XmlToken.START_ELEMENT) {
            if (reader.elementNameMatches("Blob")) {
              readBlob(reader, sink);
            } else {
              reader.skipElement();
            }
          }
        } else if (reader.elementNameMatches("NextMarker")) {
          String marker = reader.getStringElement();
          next = marker == null ? "" : marker;
        } else {
          reader.skipElement();
        }
      }
    }
    return next;
  }

  /**
   * Finds a page's NextMarker in its bytes, before the page is read, so that the next request can start at
   * once. {@link #read} finds it too, and the listing checks that both agree.
   *
   * @param body the page's XML
   * @return the NextMarker, "" after the last page
   */
  static String nextMarker(byte[] body) {
    // Searched in the bytes, from the end where the element is: decoding a whole page of several MB to find
    // it took a tenth of a cold planning's CPU (the service's BOM makes the decoded page UTF-16). An ASCII
    // tag cannot match inside a UTF-8 sequence, and names in the page are escaped, so the last
    // "<NextMarker>" is the element.
    int open = lastIndexOf(body, NEXT_MARKER_OPEN);
    if (open < 0) {
      return "";
    }
    int from = open + NEXT_MARKER_OPEN.length;
    int close = indexOf(body, NEXT_MARKER_CLOSE, from);
    return close < 0 ? "" : unescape(new String(body, from, close - from, StandardCharsets.UTF_8));
  }

  private static final byte[] NEXT_MARKER_OPEN = "<NextMarker>".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NEXT_MARKER_CLOSE = "</NextMarker>".getBytes(StandardCharsets.US_ASCII);

  private static int lastIndexOf(byte[] data, byte[] pattern) {
    for (int i = data.length - pattern.length; i >= 0; i--) {
      if (matchesAt(data, pattern, i)) {
        return i;
      }
    }
    return -1;
  }

  private static int indexOf(byte[] data, byte[] pattern, int from) {
    for (int i = from; i <= data.length - pattern.length; i++) {
      if (matchesAt(data, pattern, i)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean matchesAt(byte[] data, byte[] pattern, int at) {
    return Arrays.equals(data, at, at + pattern.length, pattern, 0, pattern.length);
  }

  private static String unescape(String text) {
    if (text.indexOf('&') < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      int end = c == '&' ? text.indexOf(';', i) : -1;
      if (end < 0) {
        out.append(c);
        continue;
      }
      String entity = text.substring(i + 1, end);
      switch (entity) {
        case "amp" -> out.append('&');
        case "lt" -> out.append('<');
        case "gt" -> out.append('>');
        case "quot" -> out.append('"');
        case "apos" -> out.append('\'');
        default -> out.appendCodePoint(entity.startsWith("#x") ? Integer.parseInt(entity.substring(2), 16)
            : Integer.parseInt(entity.substring(1)));
      }
      i = end;
    }
    return out.toString();
  }

  private static void readBlob(XmlReader reader, Sink sink) throws XMLStreamException {
    String name = null;
    long length = 0;
    long lastModified = 0;
    String md5 = null;
    String etag = null;
    boolean markedFolder = false;
    while (reader.nextElement() == XmlToken.START_ELEMENT) {
      if (reader.elementNameMatches("Name")) {
        boolean encoded = "true".equalsIgnoreCase(reader.getStringAttribute(null, "Encoded"));
        String text = reader.getStringElement();
        // Names the service cannot put in XML come percent-encoded, as the SDK decodes them.
        name = encoded ? Utility.urlDecode(text) : text;
      } else if (reader.elementNameMatches("Properties")) {
        while (reader.nextElement() == XmlToken.START_ELEMENT) {
          switch (reader.getElementLocalName()) {
            case "Content-Length" -> length = reader.getLongElement();
            case "Last-Modified" -> lastModified = epochMillis(reader.getStringElement());
            case "Content-MD5" -> md5 = hex(reader.getStringElement());
            case "Etag" -> etag = reader.getStringElement();
            default -> reader.skipElement();
          }
        }
      } else if (reader.elementNameMatches("Metadata")) {
        while (reader.nextElement() == XmlToken.START_ELEMENT) {
          boolean folderKey = reader.getElementLocalName().equalsIgnoreCase("hdi_isfolder");
          String value = reader.getStringElement();
          markedFolder |= folderKey && "true".equalsIgnoreCase(value);
        }
      } else {
        reader.skipElement();
      }
    }
    if (name == null) {
      throw new XMLStreamException("a Blob element without a Name");
    }
    sink.blob(name, length, lastModified, md5, etag, markedFolder || name.endsWith("/") && length == 0);
  }

  /** @return the base64 Content-MD5 as lowercase hex, null for none */
  static String hex(String base64) {
    return base64 == null || base64.isEmpty() ? null : HexFormat.of().formatHex(Base64.getDecoder().decode(base64));
  }

  /**
   * @param rfc1123 a time as the service writes it, {@code Mon, 01 Dec 2025 12:00:00 GMT}
   * @return epoch milliseconds
   */
  static long epochMillis(String rfc1123) {
    // The service's fixed shape is read by position; anything else goes through the general parser.
    if (rfc1123.length() == 29 && rfc1123.endsWith(" GMT") && rfc1123.charAt(3) == ',') {
      int month = MONTHS.indexOf(rfc1123.substring(8, 11));
      if (month >= 0 && month % 3 == 0) {
        try {
          long day = LocalDate.of(digits(rfc1123, 12, 4), month / 3 + 1, digits(rfc1123, 5, 2)).toEpochDay();
          int hour = digits(rfc1123, 17, 2);
          int minute = digits(rfc1123, 20, 2);
          int second = digits(rfc1123, 23, 2);
          if (hour < 24 && minute < 60 && second < 60) {
            return (day * 86_400 + hour * 3600L + minute * 60L + second) * 1000;
          }
        } catch (RuntimeException notThatShape) {
          // Falls through to the general parser, which names what is wrong.
        }
      }
    }
    return ZonedDateTime.parse(rfc1123, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
  }

  private static int digits(String s, int from, int count) {
    int value = 0;
    for (int i = from; i < from + count; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        throw new NumberFormatException("not a digit at " + i);
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
}

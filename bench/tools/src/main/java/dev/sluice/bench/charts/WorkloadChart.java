package dev.sluice.bench.charts;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/** One workload as a grid of bar charts, one per figure, a coloured bar per peer. */
final class WorkloadChart {
  static final int WIDTH = 420;
  static final int HEIGHT = 320;
  static final int COLUMNS = 3;

  /** Stable colours: the same peer looks the same in every chart. */
  private static final Map<String, Color> PEERS =
      Map.of(
          "Sluice", new Color(0x1f, 0x77, 0xb4),
          "HAProxy 2.6", new Color(0xff, 0x7f, 0x0e),
          "direct", new Color(0x7f, 0x7f, 0x7f));

  private static final Color OTHER = new Color(0x2c, 0xa0, 0x2c);

  static void render(Results.Workload workload, Path file) throws IOException {
    List<CategoryChart> charts = new ArrayList<>();
    for (Results.Figure figure : workload.figures()) {
      charts.add(chart(workload, figure));
    }
    int columns = Math.min(COLUMNS, charts.size());
    int rows = (charts.size() + columns - 1) / columns;
    // Laid out here: XChart's own grid wants every cell filled.
    BufferedImage grid =
        new BufferedImage(columns * WIDTH, rows * HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = grid.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
      for (int i = 0; i < charts.size(); i++) {
        g.drawImage(
            BitmapEncoder.getBufferedImage(charts.get(i)),
            (i % columns) * WIDTH,
            (i / columns) * HEIGHT,
            null);
      }
    } finally {
      g.dispose();
    }
    if (!ImageIO.write(grid, "png", file.toFile())) {
      throw new IOException("no PNG writer for " + file);
    }
  }

  private static CategoryChart chart(Results.Workload workload, Results.Figure figure) {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(figure.name())
            .yAxisTitle(figure.higherIsBetter() ? "higher is better" : "lower is better")
            .build();
    Styler styler = chart.getStyler();
    styler.setLegendPosition(Styler.LegendPosition.OutsideS);
    styler.setLegendLayout(Styler.LegendLayout.Horizontal);
    styler.setDecimalPattern("#,##0.##");
    styler.setChartTitleFont(styler.getChartTitleFont().deriveFont(12f));
    styler.setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setLabelsVisible(true);
    chart.getStyler().setLabelsFontColorAutomaticEnabled(false);
    chart.getStyler().setLabelsFontColor(Color.BLACK);
    chart.getStyler().setXAxisTicksVisible(false);
    chart.getStyler().setOverlapped(false);
    List<Color> colors = new ArrayList<>();
    for (Map.Entry<String, Double> peer : figure.values().entrySet()) {
      chart.addSeries(peer.getKey(), List.of(workload.title()), List.of(peer.getValue()));
      colors.add(PEERS.getOrDefault(peer.getKey(), OTHER));
    }
    chart.getStyler().setSeriesColors(colors.toArray(new Color[0]));
    return chart;
  }

  private WorkloadChart() {}
}

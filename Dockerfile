# The Lifeline worker image: `docker compose up` builds it from this repository.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN ./mvnw -q -B -DskipTests -pl distribution -am package

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 lifeline
COPY --from=build /src/distribution/target/lifeline.jar /app/lifeline.jar
USER lifeline
# SIGTERM makes the worker stop polling and let running activities finish (LIFELINE_SHUTDOWN_GRACE).
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/lifeline.jar"]
CMD ["worker"]
